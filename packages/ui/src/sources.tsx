'use client';
import type { Source } from '@concierge/core';
import { safeHref } from './safe-url';

export interface SourcesProps {
  sources: Source[];
  label: string;
}

/** The pages a reply was grounded on, as links. */
export function Sources({ sources, label }: SourcesProps) {
  if (!sources.length) return null;
  return (
    <div className="concierge-sources">
      <span className="concierge-sources-label">{label}</span>
      <ul aria-label={label}>
        {sources.map((source, index) => {
          const href = safeHref(source.url);
          return (
            <li key={`${source.url ?? ''}${index}`}>
              {href ? (
                <a href={href} rel="noopener noreferrer">
                  {source.title}
                </a>
              ) : (
                <span>{source.title}</span>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
