import type { ReactNode } from 'react';

/** A calm placeholder that says what is (not) here and what to do next. */
export function EmptyState({
  title,
  children,
  icon,
  action,
}: {
  title: string;
  children?: ReactNode;
  /** A decorative icon above the title, for whole-page states. */
  icon?: ReactNode;
  action?: { label: string; run: () => void };
}) {
  return (
    <div className="empty">
      {icon !== undefined && (
        <div className="card-mark" aria-hidden="true">
          {icon}
        </div>
      )}
      <h2 className="empty-title">{title}</h2>
      {children !== undefined && <p className="empty-text">{children}</p>}
      {action !== undefined && (
        <button type="button" className="button primary" onClick={action.run}>
          {action.label}
        </button>
      )}
    </div>
  );
}
