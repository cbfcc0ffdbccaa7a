// What both demo pages need to put text on the page: rupees as a shopper reads them, and text made safe for HTML.

/** Rupees (the demo store's one currency) as "₹1,234.50". */
export const inr = (amount) => new Intl.NumberFormat("en-IN", { style: "currency", currency: "INR" }).format(Number(amount ?? 0))

export const escape = (text) =>
  String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c])
