export default function Home() {
  return (
    <main>
      <h1>Fernhill Tea</h1>
      <p>Loose-leaf teas, packed by hand. Questions? Open the chat in the corner.</p>
    </main>
  );
}
