/** What a Plural view shows when its data could not be loaded: the reason, and a way to ask again. */
import { Button, Text } from "@medusajs/ui"
import { errorMessage } from "../lib/plural"

export function LoadError({ error, onRetry }: { error: unknown; onRetry: () => void }) {
  return (
    <div className="px-6 py-4" data-testid="plural-load-error">
      <Text size="small" className="text-ui-fg-error">
        {errorMessage(error)}
      </Text>
      <Button size="small" variant="transparent" className="mt-2" onClick={onRetry}>
        Try again
      </Button>
    </div>
  )
}
