import { compiler } from 'markdown-to-jsx';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getPolicies } from '../../../lib/catalog';

interface Props {
  params: Promise<{ slug: string }>;
}

export function generateStaticParams() {
  return getPolicies().map((policy) => ({ slug: policy.slug }));
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { slug } = await params;
  const policy = getPolicies().find((entry) => entry.slug === slug);
  return policy ? { title: policy.title } : {};
}

export default async function PolicyPage({ params }: Props) {
  const { slug } = await params;
  const policy = getPolicies().find((entry) => entry.slug === slug);
  if (!policy) notFound();
  return (
    <article className="policy-page">
      <h1>{policy.title}</h1>
      {compiler(policy.body, { disableParsingRawHTML: true })}
    </article>
  );
}
