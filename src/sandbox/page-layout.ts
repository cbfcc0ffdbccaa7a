/** The frame every sandbox page shares: escaping, the ₹ formatting, and a little CSS. No framework, no assets. */

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c])
}

const RUPEES = new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR" })

/** Integer paise as Indian rupees: 110000 → "₹1,100.00", 100000000 → "₹10,00,000.00". */
export function formatPaise(paise: number, currency = "INR"): string {
  if (currency !== "INR") return `${(paise / 100).toFixed(2)} ${currency}`
  return RUPEES.format(paise / 100)
}

const STYLE = `
body { font-family: system-ui, sans-serif; background: #f3f5f9; color: #1d2330; margin: 0; }
main { max-width: 460px; margin: 32px auto; background: #fff; border-radius: 10px; padding: 24px;
  box-shadow: 0 2px 12px rgba(0, 0, 0, .08); }
.banner { background: #fff4d6; border: 1px solid #f0c14b; border-radius: 6px; padding: 6px 10px; font-size: 13px; }
.amount { font-size: 28px; font-weight: 700; margin: 4px 0 16px; }
dl { display: grid; grid-template-columns: auto 1fr; gap: 4px 12px; font-size: 14px; }
dt { color: #667; }
fieldset { border: 1px solid #dde; border-radius: 6px; margin: 12px 0; }
.methods label { display: inline-block; margin: 4px 8px 4px 0; }
.panel { display: none; margin: 12px 0; }
form:has(#method-card:checked) .panel-card, form:has(#method-upi:checked) .panel-upi,
form:has(#method-netbanking:checked) .panel-netbanking, form:has(#method-wallet:checked) .panel-wallet,
form:has(#method-points:checked) .panel-points, .panel.always { display: block; }
input, select { font: inherit; padding: 6px; margin: 2px 0 8px; width: 100%; box-sizing: border-box; }
.methods input { width: auto; }
.actions { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; }
.actions select { flex: 1 1 10rem; min-width: 0; margin: 0; text-overflow: ellipsis; }
button { font: inherit; padding: 8px 16px; border-radius: 6px; border: 1px solid #99a; background: #fff; cursor: pointer; }
button#pay { background: #1a56db; color: #fff; border-color: #1a56db; }
button#fail { border-color: #c81e1e; color: #c81e1e; }
img.qr { display: block; margin: 8px auto; width: 200px; height: 200px; }
th { text-align: left; padding-right: 12px; }
`

export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Plural sandbox</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="banner">Plural sandbox — no real money moves.</p>
${body}
</main>
</body>
</html>`
}
