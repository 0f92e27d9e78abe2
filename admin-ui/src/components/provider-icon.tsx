// Platform icons, drawn inline (no icon font, no CDN). Providers without their own drawing get a
// monogram in a brand-like colour.

const COLORS: Record<string, string> = {
  telegram: "#229ed9",
  slack: "#4a154b",
  discord: "#5865f2",
  "zalo-oa": "#0068ff",
  "zalo-personal": "#0068ff",
  whatsapp: "#25d366",
  wechat: "#07c160",
  lark: "#3370ff",
  dingtalk: "#0089ff",
};

/** Monograms where the label's first letter would not tell providers apart (the two Zalo products). */
const MONOGRAMS: Record<string, string> = {
  "zalo-oa": "OA",
};

/** `decorative`: the provider's name is written next to the icon, so the icon is hidden from screen readers. */
export function ProviderIcon({ provider, label, size = 28, decorative = false }: { provider: string; label: string; size?: number; decorative?: boolean }) {
  const color = COLORS[provider] ?? "#64748b";
  const monogram = MONOGRAMS[provider] ?? label.slice(0, 1).toUpperCase();
  const a11y = decorative ? { "aria-hidden": true as const } : { role: "img" as const, "aria-label": label };
  return (
    <svg class="provider-icon" width={size} height={size} viewBox="0 0 32 32" {...a11y}>
      <circle cx="16" cy="16" r="16" fill={color} />
      {provider === "telegram" ? (
        <path d="M7.2 15.6l15.6-6.1c.8-.3 1.5.2 1.2 1.4l-2.7 12.6c-.2.9-.7 1.1-1.5.7l-4.1-3-2 1.9c-.2.2-.4.4-.8.4l.3-4.2 7.6-6.9c.3-.3-.1-.4-.5-.2l-9.4 5.9-4-1.3c-.9-.3-.9-.9.3-1.2z" fill="#fff" />
      ) : (
        <text x="16" y="21" text-anchor="middle" font-size={monogram.length > 1 ? 12 : 14} font-weight="700" fill="#fff" font-family="system-ui, sans-serif">
          {monogram}
        </text>
      )}
    </svg>
  );
}
