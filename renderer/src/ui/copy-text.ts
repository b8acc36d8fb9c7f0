/**
 * Copies non-secret text (shell snippets) from the page. Secrets never go this way: `copy()` has
 * the main process do it, audited and cleared later. If the clipboard API is refused (the app
 * denies permission requests), the text is selected and the browser's copy command tried instead.
 */
export async function copyText(text: string, shown: HTMLElement | null): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // Fall through to selecting the visible text.
  }
  if (shown === null) return false;
  const selection = window.getSelection();
  if (selection === null) return false;
  const range = document.createRange();
  range.selectNodeContents(shown);
  selection.removeAllRanges();
  selection.addRange(range);
  try {
    return document.execCommand('copy');
  } catch {
    return false;
  }
}
