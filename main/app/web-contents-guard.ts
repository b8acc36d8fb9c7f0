/**
 * The guard every web contents gets (registered on `web-contents-created`, so it covers windows we
 * never meant to create too): no navigation away from the loaded page, no new windows, no
 * `<webview>`. Page changes come from the main process (`loadURL`, `reload`), never from the page.
 */
import type { WebContents } from 'electron';

const guarded = new WeakSet<WebContents>();

/** Denies navigation, window.open and `<webview>` attachment for `contents`. Idempotent. */
export function guardWebContents(contents: WebContents): void {
  if (guarded.has(contents)) return;
  guarded.add(contents);
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => {
    // The main frame is covered by will-navigate; this catches subframes.
    if (!event.isMainFrame) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
