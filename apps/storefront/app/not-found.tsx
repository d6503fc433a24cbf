import Link from 'next/link';

export default function NotFound() {
  return (
    <section className="policy-page">
      <h1>Page not found</h1>
      <p>
        That page does not exist. <Link href="/">Back to the shop</Link>
      </p>
    </section>
  );
}
