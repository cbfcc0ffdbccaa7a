/** A Plural view's heading, and the line under it that says what the view shows. */
import { Heading, Text } from "@medusajs/ui"
import type { ReactNode } from "react"

type Props = { title: string; description: ReactNode; level?: "h1" | "h2"; className?: string }

export function ViewTitle({ title, description, level = "h2", className }: Props) {
  return (
    <div className={className}>
      <Heading level={level}>{title}</Heading>
      <Text size="small" className="text-ui-fg-subtle">
        {description}
      </Text>
    </div>
  )
}
