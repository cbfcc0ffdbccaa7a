/** A small route table: `METHOD /path/:param` patterns matched in order, the first match wins. */
import type { IncomingHttpHeaders } from "node:http"
import type { ApiRoute } from "./faults"
import type { Reply } from "./http"

export type RouteRequest = {
  params: Record<string, string>
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** The raw body text ("" when none). */
  body: string
}

export type Route = {
  method: "GET" | "POST" | "PUT" | "DELETE"
  pattern: string
  /** Set on Plural API routes: the name faults are injected by. */
  api?: ApiRoute
  handle(request: RouteRequest): Reply | Promise<Reply>
}

type Compiled = Route & { regex: RegExp; names: string[] }

export class Router {
  private readonly routes: Compiled[] = []

  add(...routes: Route[]): this {
    for (const route of routes) {
      const names: string[] = []
      const source = route.pattern
        .split("/")
        .map((part) => {
          if (!part.startsWith(":")) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          names.push(part.slice(1))
          return "([^/]+)"
        })
        .join("/")
      this.routes.push({ ...route, regex: new RegExp(`^${source}$`), names })
    }
    return this
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
    for (const route of this.routes) {
      if (route.method !== method) continue
      const found = route.regex.exec(path)
      if (!found) continue
      const params = Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(found[i + 1])]))
      return { route, params }
    }
    return undefined
  }
}
