// Floor for the acknowledgement latency: a Worker that answers 200 and does nothing else.
// It does not even read the body, so it measures the runtime's own cost per request.
export default {
  fetch() {
    return new Response('{"ok":true}', { headers: { "content-type": "application/json" } });
  },
};
