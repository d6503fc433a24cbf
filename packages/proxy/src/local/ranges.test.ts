import { describe, expect, it } from 'vitest';
import { fitsRange, quantitiesIn, rangesIn } from './ranges';

describe('ranges', () => {
  it('reads ranges as catalogs write them', () => {
    expect(rangesIn('Ages 2 to 5')).toEqual([{ unit: 'year', min: 2, max: 5 }]);
    expect(rangesIn('Age 3+')).toEqual([{ unit: 'year', min: 3, max: Infinity }]);
    expect(rangesIn('For dogs 25–45 kg')).toEqual([{ unit: 'kg', min: 25, max: 45 }]);
    expect(rangesIn('up to 20 kg')).toEqual([{ unit: 'kg', min: 0, max: 20 }]);
    expect(rangesIn('18-36 months')).toEqual([{ unit: 'year', min: 1.5, max: 3 }]);
    expect(fitsRange(quantitiesIn('my 18 month old'), rangesIn('Ages 1 to 3'))).toBe(true);
    expect(rangesIn('Made in 2 sizes')).toEqual([]);
  });

  it('finds the quantities a question names', () => {
    expect(quantitiesIn('What do you have for a 3 year old?')).toEqual([{ unit: 'year', value: 3 }]);
    expect(quantitiesIn('something for my 3-year-old')).toEqual([{ unit: 'year', value: 3 }]);
    expect(quantitiesIn('a bed for my 30kg dog')).toEqual([{ unit: 'kg', value: 30 }]);
    expect(quantitiesIn('a gift for a kid aged 7')).toEqual([{ unit: 'year', value: 7 }]);
  });

  it('matches a quantity to a range of the same unit only', () => {
    expect(fitsRange([{ unit: 'year', value: 3 }], rangesIn('Ages 2 to 5'))).toBe(true);
    expect(fitsRange([{ unit: 'year', value: 6 }], rangesIn('Ages 2 to 5'))).toBe(false);
    expect(fitsRange([{ unit: 'kg', value: 3 }], rangesIn('Ages 2 to 5'))).toBe(false);
  });
});
