'use strict';
/**
 * Preloaded (--require) by each test lane, before node:test loads. node:test maps every async
 * resource to the test that created it, and forgets the mapping in an async_hooks `destroy`
 * hook. The mapping is how a `test()` call finds the suite it belongs to (and how an uncaught
 * error is blamed on its test): without the `init` hook a file's tests would go to the root,
 * after the file's suite had ended, so that hook stays as it is. A destroy hook makes V8 track every promise
 * with a weak reference until it is collected: in a lane that runs dozens of files, about a
 * tenth of its CPU. Here the mapping is kept without a destroy hook, and forgotten in bulk
 * when a file's suite has ended (forgetFinishedResources, from test-lane.js), when its
 * resources can no longer be blamed on a running test anyway.
 *
 * Only the first createHook call is wrapped (node:test's harness asks once, at load), and
 * only if it has the shape expected; otherwise everything is as Node made it.
 */
const asyncHooks = require('node:async_hooks');

const original = asyncHooks.createHook;
let seen = [];
let forget;

asyncHooks.createHook = function createHook(callbacks) {
  asyncHooks.createHook = original;
  if (
    typeof callbacks?.init !== 'function' ||
    typeof callbacks.destroy !== 'function' ||
    Object.keys(callbacks).length !== 2
  )
    return original(callbacks);
  const { init, destroy } = callbacks;
  forget = destroy;
  return original({
    init(asyncId, type, triggerAsyncId, resource) {
      seen.push(asyncId);
      init(asyncId, type, triggerAsyncId, resource);
    },
  });
};

/** Forgets every resource seen so far (node:test's destroy, for each). */
function forgetFinishedResources() {
  const ids = seen;
  seen = [];
  if (forget) for (const id of ids) forget(id);
}

module.exports = { forgetFinishedResources };
