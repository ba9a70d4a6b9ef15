// The app's icons: drawn here on a 24-unit grid as strokes in the text colour, bundled with the
// UI (nothing is fetched). Decorative by default; a label makes one an image for screen readers.

const paths = {
  home: 'M4 11 12 4l8 7M6 10v9h4v-5h4v5h4v-9',
  send: 'M5 19 19 5M9 5h10v10',
  receive: 'M19 5 5 19M15 19H5V9',
  key: 'M14.5 9.5a4 4 0 1 0-2.3 3.6L18 19h2v-2h-2v-2h-2l-2.6-2.6M8.5 8.5h.01',
  clock: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zM12 7v5l3 2',
  gear: 'M12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6zM12 2v3M12 19v3M2 12h3M19 12h3M4.9 4.9 7 7M17 17l2.1 2.1M4.9 19.1 7 17M17 7l2.1-2.1',
  copy: 'M9 9h10v10H9zM5 15V5h10',
  check: 'M5 12.5 10 17 19 7',
  lock: 'M6 11h12v9H6zM8.5 11V8a3.5 3.5 0 0 1 7 0v3',
  external: 'M14 5h5v5M19 5l-8 8M17 14v5H5V7h5',
  refresh: 'M19 8a8 8 0 1 0 1 6M19 3v5h-5',
  fingerprint: 'M8 20c1-2 1.5-4.5 1.5-7a2.5 2.5 0 0 1 5 0c0 2-.3 4-1 6M5.5 17c.7-1.5 1-3 1-4.5a5.5 5.5 0 0 1 11 0c0 1.3-.1 2.6-.3 3.8M12 13c0 2.5-.6 5-1.8 7',
  alert: 'M12 4 2.5 20h19zM12 10v4.5M12 17.5h.01',
  back: 'M15 5l-7 7 7 7',
  book: 'M6 4h11a1 1 0 0 1 1 1v15H7a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2M5 18a2 2 0 0 1 2-2h11M9 8h5',
  plus: 'M12 5v14M5 12h14',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name, label, size = 18 }: { name: IconName; label?: string; size?: number }) {
  return (
    <svg
      class="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      role={label ? 'img' : undefined}
      aria-label={label}
      aria-hidden={label ? undefined : 'true'}
      focusable="false"
    >
      <path d={paths[name]} />
    </svg>
  );
}
