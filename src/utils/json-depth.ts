/**
 * Whether a parsed JSON value nests objects or arrays deeper than `limit`. Plural's events nest four or five levels;
 * a body nested thousands deep (even one signed with the merchant's secret) cannot be serialised again to be stored,
 * and would fail every delivery stored in the same statement. The walk stops as soon as the limit is passed, and is
 * iterative, so the check itself cannot overflow the stack.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }]
  while (stack.length) {
    const { value: current, depth } = stack.pop()!
    if (current === null || typeof current !== "object") continue
    if (depth + 1 > limit) return true
    for (const child of Object.values(current)) stack.push({ value: child, depth: depth + 1 })
  }
  return false
}
