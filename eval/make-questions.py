# Writes questions.json: the shopper questions `pnpm eval` asks (kept in the repo; rerun this
# after changing the stores' content). Each names its intent and what a right answer holds.
import json

def usd(n): return f"${n:,.2f}"
def eur(n): return f"€{n:,.2f}"

demo = json.load(open('../apps/storefront/content/products.json'))
bikes = json.load(open('bike-shop/bikes.json'))
Q = []
def q(store, intent, question, **expect):
    history = expect.pop('history', None)
    entry = {'store': store, 'intent': intent, 'question': question, 'expect': expect}
    if history: entry['history'] = history
    Q.append(entry)

short = {
  'merino-crew-sweater': 'merino sweater', 'linen-camp-shirt': 'linen shirt', 'waxed-canvas-field-jacket': 'waxed jacket',
  'ribbed-wool-beanie': 'beanie', 'full-grain-leather-belt': 'leather belt', 'canvas-market-tote': 'tote bag',
  'stoneware-mug-set': 'mug set', 'cast-iron-skillet': 'cast iron skillet', 'down-throw-blanket': 'throw blanket',
  'organic-cotton-tee': 'organic cotton tee', 'trail-running-shoe': 'trail running shoe', 'rolltop-backpack': 'roll-top backpack',
}
for p in demo:
    name, url = short[p['slug']], f"/products/{p['slug']}"
    q('demo', 'price', f"How much is the {name}?", facts=[usd(p['price'])], source=url, products=[p['slug']])
    q('demo', 'care', f"How do I clean the {name}?", facts=[p['care'][:40]], source=url, products=[p['slug']])
    if p.get('colors'):
        q('demo', 'colours', f"What colours does the {name} come in?", facts=p['colors'], source=url, products=[p['slug']])
    if p.get('sizes') and len(p['sizes']) > 1:
        q('demo', 'sizes', f"What sizes is the {name} available in?", facts=p['sizes'][:2], source=url, products=[p['slug']])
    q('demo', 'materials', f"What is the {name} made of?", facts=[p['materials'][0][:25]], source=url, products=[p['slug']])

q('demo', 'recommendation', 'I want a warm sweater for winter hiking, what do you recommend?', products=['merino-crew-sweater'])
q('demo', 'recommendation', 'Something that keeps me dry in the rain?', products=['waxed-canvas-field-jacket'])
q('demo', 'recommendation', 'I need a bag for my laptop when I cycle in the rain', products=['rolltop-backpack'])
q('demo', 'recommendation', 'What would you recommend for running on trails?', products=['trail-running-shoe'])
q('demo', 'recommendation', 'Looking for a gift for someone who loves cooking', products=['cast-iron-skillet'])
q('demo', 'recommendation', 'I need something cosy for the sofa', products=['down-throw-blanket'])
q('demo', 'recommendation', 'Do you have something to keep my head warm?', products=['ribbed-wool-beanie'])
q('demo', 'recommendation', 'a breathable shirt for hot summer days', products=['linen-camp-shirt'])
q('demo', 'filter', "What's cheaper than 50 dollars?", products=['ribbed-wool-beanie', 'organic-cotton-tee'], maxPrice=50)
q('demo', 'filter', 'bags under 100 dollars', products=['canvas-market-tote'], maxPrice=100)
q('demo', 'filter', 'anything in navy?', products=['merino-crew-sweater', 'ribbed-wool-beanie'])
q('demo', 'filter', 'shirts under $60', products=['organic-cotton-tee'], maxPrice=60)
q('demo', 'filter', 'what do you have over 150 dollars?', products=['waxed-canvas-field-jacket'], minPrice=150)
q('demo', 'filter', 'home goods under 100 dollars', products=['stoneware-mug-set', 'cast-iron-skillet'], maxPrice=100)
q('demo', 'not-sold', 'Do you sell laptops?', facts=["don't sell laptops"])
q('demo', 'not-sold', 'Do you sell motorcycles?', facts=["don't sell motorcycles"], noProducts=True)
q('demo', 'not-sold', 'Do you sell sunglasses?', facts=["don't sell sunglasses"], noProducts=True)
q('demo', 'not-sold', 'Do you have surfboards?', facts=["don't sell surfboards"], noProducts=True)
q('demo', 'sold', 'Do you sell backpacks?', facts=['Yes'], products=['rolltop-backpack'])
q('demo', 'sold', 'Do you sell belts?', facts=['Yes'], products=['full-grain-leather-belt'])
q('demo', 'sold', 'Do you carry mugs?', facts=['Yes'], products=['stoneware-mug-set'])
for text in ['hi', 'Hello!', 'good morning', 'thanks!', 'Thank you so much', 'bye', 'Goodbye, have a nice day']:
    q('demo', 'small-talk', text, notUnknown=True, noProducts=True)
merino = [{'role': 'user', 'text': 'Tell me about the merino sweater'}, {'role': 'assistant', 'text': 'Here is what I know about the Merino Crew Sweater.', 'products': [{'id': 'merino-crew-sweater', 'name': 'Merino Crew Sweater'}]}]
q('demo', 'follow-up', 'how much is it?', history=merino, facts=['$128.00'], products=['merino-crew-sweater'])
q('demo', 'follow-up', 'and in navy?', history=merino, facts=['Navy', 'Yes'])
q('demo', 'follow-up', 'and in olive?', history=merino, facts=['does not come in Olive'])
q('demo', 'follow-up', 'how do I wash it?', history=merino, facts=['wool cycle'])
shoe = [{'role': 'user', 'text': 'Tell me about the trail running shoe'}, {'role': 'assistant', 'text': 'Here is what I know about the Ridge Trail Running Shoe.', 'products': [{'id': 'trail-running-shoe', 'name': 'Ridge Trail Running Shoe'}]}]
q('demo', 'follow-up', 'what colours does it come in?', history=shoe, facts=['Glacier Blue'])
q('demo', 'follow-up', 'how much is it?', history=shoe, facts=['$149.00'])
q('demo', 'order', "My order hasn't arrived, it's been 2 weeks", source='/policies/order-tracking', orders=False)
q('demo', 'order', 'Where is my order?', facts=['order number', 'email'], orders=True)
q('demo', 'order', 'where is my order LF-10427? my email is ada@example.com', facts=['LF-10427', 'shipped'], orders=True)
q('demo', 'order', 'track my order LF-10427 for eve@example.com', facts=['could not find'], orders=True)
q('demo', 'order', 'status of order LF-10512, grace@example.com', facts=['processing'], orders=True)
for text, url, fact in [
    ('What is your return policy?', '/policies/returns', '30 days'),
    ('How long do refunds take?', '/policies/returns', 'business days'),
    ('Do you ship to Canada?', '/policies/shipping', 'Canada'),
    ('How much is shipping?', '/policies/shipping', 'free'),
    ('Which payment methods do you accept?', '/policies/payments', 'Visa'),
    ('Can I pay in installments?', '/policies/payments', 'install'),
    ('How do I make a warranty claim?', '/policies/warranty', 'claim'),
    ('What are your opening hours?', '/policies/contact', 'Monday'),
    ('Do your sweaters run small?', None, None),
]:
    if url: q('demo', 'policy', text, source=url, facts=[fact])

short_b = {'harbor-city-7': 'Harbor City 7', 'ridge-gravel-2': 'Ridge Gravel 2', 'pip-balance-bike': 'balance bike', 'storm-shell-jacket': 'cycling jacket',
           'thermal-gloves': 'winter gloves', 'u-lock-pro': 'U-lock', 'beam-light-set': 'light set', 'pannier-20': 'pannier'}
for p in bikes:
    name, url = short_b[p['slug']], f"/products/{p['slug']}"
    q('bikes', 'price', f"How much is the {name}?", facts=[eur(p['price'])], source=url, products=[p['slug']])
    for field, words in [('warranty', 'warranty'), ('frameMaterial', 'frame material'), ('batteryLife', 'battery life'), ('age', 'age'), ('weight', 'weight'), ('care', 'care instructions'), ('compatibility', 'compatibility')]:
        if p.get(field):
            q('bikes', 'attribute', f"What is the {words} of the {name}?", facts=[p[field][:20]], source=url, products=[p['slug']])
q('bikes', 'recommendation', 'I need something to keep me dry in heavy rain', products=['storm-shell-jacket'])
q('bikes', 'recommendation', 'a bike for a 3 year old', products=['pip-balance-bike'])
q('bikes', 'recommendation', 'what do you recommend for commuting in winter?', products=['thermal-gloves'])
q('bikes', 'recommendation', 'I want lights for riding at night', products=['beam-light-set'])
q('bikes', 'recommendation', 'something to carry my laptop on the bike', products=['pannier-20'])
q('bikes', 'filter', 'bikes under 1000 euros', products=['harbor-city-7'], maxPrice=1000)
q('bikes', 'filter', 'accessories under 50 euros', products=['beam-light-set'], maxPrice=50)
q('bikes', 'filter', 'anything in olive?', products=['ridge-gravel-2', 'pannier-20'])
q('bikes', 'not-sold', 'Do you sell scooters?', facts=["don't sell scooters"], noProducts=True)
q('bikes', 'not-sold', 'Do you sell helmets?', facts=["don't sell helmets"])
q('bikes', 'sold', 'Do you sell the Ridge Gravel 2?', facts=['Yes'], products=['ridge-gravel-2'])
q('bikes', 'sold', 'Do you sell locks?', facts=['Yes'], products=['u-lock-pro'])
harbor = [{'role': 'user', 'text': 'Tell me about the Harbor City 7'}, {'role': 'assistant', 'text': 'Here is what I know about the Harbor City 7.', 'products': [{'id': 'harbor-city-7', 'name': 'Harbor City 7'}]}]
q('bikes', 'follow-up', 'how much is it?', history=harbor, facts=['€690.00'])
q('bikes', 'follow-up', 'and in sand?', history=harbor, facts=['Yes', 'Sand'])
q('bikes', 'follow-up', 'do you have it in XL?', history=harbor, facts=['does not come in size XL'])
for text in ['hey', 'thanks', 'bye']:
    q('bikes', 'small-talk', text, notUnknown=True, noProducts=True)
q('bikes', 'order', 'Where is my order?', source='/delivery')
for text, url, fact in [
    ('Is servicing free?', '/service', 'free for life'),
    ('How long does bike delivery take?', '/delivery', '5 working days'),
    ('Can I return a bike?', '/delivery', '14 days'),
    ('How much do repairs cost?', '/service', '€25'),
    ('How can I contact you?', '/contact', 'hello@harbor.example'),
]:
    q('bikes', 'policy', text, source=url, facts=[fact])

json.dump(Q, open('questions.json', 'w'), indent=1, ensure_ascii=False)
print(len(Q), 'questions')
