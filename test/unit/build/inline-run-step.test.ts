// RUN through the real built-in shell (inlineRunStep): the image's /bin/sh is the shell
// marker, so shell builtins and redirections work without any WASI program.

import { describe, expect, it } from 'vitest';
import { inlineRunStep } from '../../../src/build/inline-run-step.js';
import { isWasmboxError } from '../../../src/errors.js';
import { createHarness } from './harness.js';

describe('inlineRunStep', () => {
  it('runs shell-form RUN with the built-in shell, and fails like docker on a non-zero status', async () => {
    const h = await createHarness();
    await h.build('FROM base:1\nENV W=world\nRUN echo "hello $W" > /greeting && printf "%s\\n" done', {}, { tags: ['s:1'], runStep: inlineRunStep() });
    expect((await h.image('s:1')).read('/greeting')).toBe('hello world\n');
    expect(h.output.join('')).toContain('done\n');
    const e = await h.build('FROM base:1\nRUN exit 3', {}, { runStep: inlineRunStep() }).catch((x: unknown) => x);
    expect(isWasmboxError(e, 'BUILD_FAILED')).toBe(true);
    expect((e as Error).message).toBe("The command '/bin/sh -c exit 3' returned a non-zero code: 3");
  });

  it('runs the exec form as exactly its arguments', async () => {
    const h = await createHarness();
    await h.build('FROM base:1\nRUN ["/bin/sh", "-c", "echo \'$0 $1\' > /args", "it\'s"]', {}, { tags: ['e:1'], runStep: inlineRunStep() });
    expect((await h.image('e:1')).read('/args')).toBe('$0 $1\n');
  });
});
