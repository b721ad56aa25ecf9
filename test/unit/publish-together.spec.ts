// U2: a major policy document's interpretation is published at the same time as the document; a
// request giving one without the other is refused, naming the missing one.
import { checkVariables } from '../../src/requests/requests.service.js';
import { FabuException } from '../../src/common/problem.js';
import { loadProcess } from '../support/chains.js';

const ir = await loadProcess('huainan-policy-release');

function refusal(given: Record<string, string>): FabuException {
  try {
    checkVariables(ir, given);
  } catch (err) {
    if (err instanceof FabuException) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('publish together (U2)', () => {
  it('accepts a document with its interpretation', () => {
    expect(checkVariables(ir, { document: '《关于……的实施意见》', interpretation: '一图读懂' })).toEqual({
      document: '《关于……的实施意见》',
      interpretation: '一图读懂',
    });
  });

  it.each([
    [
      { document: '《实施意见》', interpretation: '  ' },
      'variables.interpretation',
      'published together with document (U2)',
    ],
    [{ document: '', interpretation: '解读' }, 'variables.document', 'published together with interpretation (U2)'],
    [{ document: '《实施意见》' }, 'variables.interpretation', 'required by UP'],
  ])('refuses %j, naming the one missing', (given, path, message) => {
    const err = refusal(given);
    expect(err.code).toBe('VARIABLES_INVALID');
    expect(err.errors).toEqual([{ path, message: expect.stringContaining(message) }]);
  });
});
