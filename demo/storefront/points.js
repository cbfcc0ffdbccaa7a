// Pay by points in the demo checkout: the shopper opts in, reads the store's consent text and agrees to it (an
// unticked box), may check what their card's points can pay (card number + the mobile number registered with it),
// and is then sent to Plural's page with POINTS offered. The card number field has no `name`: it is never part of
// the checkout form, is sent only to the balance check, and is cleared right after.
import { checkPointsBalance, getPointsConsent, givePointsConsent } from "medusa-payment-plural/storefront"
import { escape, inr } from "./html.js"

/** Nothing to ask: the store does not offer pay by points (or this cart cannot use them). */
const NO_POINTS = { consentId: async () => undefined }

/**
 * Renders the points panel into `root` (shown for the hosted flow only) and answers `consentId()`: the stored
 * consent's id when the shopper opted in and agreed, undefined when they did not opt in. Opting in without agreeing
 * stops the payment with a message.
 */
export async function mountPointsPanel(root, { sdk, cartId, form }) {
  let info
  try {
    info = await getPointsConsent(sdk, cartId)
  } catch {
    return NO_POINTS
  }
  root.innerHTML = `
    <div class="points" data-testid="points-panel">
      <label class="inline"><input type="checkbox" id="points-opt-in" data-testid="points-opt-in" /> Pay with my card's reward points</label>
      <div id="points-details" hidden>
        <p class="muted consent-text" data-testid="points-consent-text">${escape(info.text)}</p>
        <label class="inline"><input type="checkbox" id="points-agree" data-testid="points-agree" /> I have read and agree to this</label>
        <p class="muted">Check what your points can pay (optional):</p>
        <div class="row">
          <label>Card number <input type="text" id="points-card" inputmode="numeric" autocomplete="off" data-testid="points-card-number" /></label>
          <label>Mobile registered with the card <input type="tel" id="points-mobile" inputmode="numeric" data-testid="points-mobile" /></label>
        </div>
        <p><button type="button" id="points-check" data-testid="points-check">Check my points</button></p>
        <p id="points-result" hidden data-testid="points-result"></p>
        <p id="points-error" class="error" hidden data-testid="points-error"></p>
      </div>
    </div>`
  const optIn = root.querySelector("#points-opt-in")
  const details = root.querySelector("#points-details")
  const agree = root.querySelector("#points-agree")
  const card = root.querySelector("#points-card")
  const mobile = root.querySelector("#points-mobile")
  const result = root.querySelector("#points-result")
  const error = root.querySelector("#points-error")
  const show = (box, text) => {
    box.hidden = !text
    box.textContent = text ?? ""
  }

  const sync = () => {
    root.hidden = form.flow.value !== "hosted"
    details.hidden = !optIn.checked
  }
  form.addEventListener("change", sync)
  sync()
  mobile.value = form.phone?.value ?? ""

  root.querySelector("#points-check").addEventListener("click", async (event) => {
    event.target.disabled = true
    show(result)
    show(error)
    try {
      const balance = await checkPointsBalance(sdk, { cartId, cardNumber: card.value, mobileNumber: mobile.value })
      show(
        result,
        balance.is_eligible
          ? `Card •••• ${balance.card_last4}: ${balance.redeemable_points.toLocaleString("en-IN")} points can pay ${inr(balance.redeemable_amount)} of this order.`
          : `Card •••• ${balance.card_last4} has no points this order can use.`
      )
    } catch (e) {
      show(error, e?.message || "We could not check your points.")
    } finally {
      card.value = ""
      event.target.disabled = false
    }
  })

  return {
    async consentId() {
      if (root.hidden || !optIn.checked) return undefined
      if (!agree.checked) {
        throw new Error("To pay with points, read the points terms and tick “I have read and agree”, or untick “Pay with my card's reward points”.")
      }
      const consent = await givePointsConsent(sdk, cartId, info.text_version)
      return consent.id
    },
  }
}
