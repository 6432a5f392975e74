"""A page-side watch for a lost event result (Gradio 6's browser client).

A page's events share one stream from the server (``/queue/data``), which the server closes when
the page's last event has finished. An event joined at that very moment can be left without a
stream: the client saw the stream open when the join returned, then closed. Its result waits on
the server until another event opens a stream, so an upload's status, a search's table or an
answer never shows. It happened in tests to an upload made as the page finished loading.

The script below, put in the page's <head>, keeps the ids of joined events until their
"completed" message arrives. When one has waited a few seconds with no stream open, it clicks a
hidden button whose event does nothing on the server: joining it opens a stream, which brings
the waiting results with it.
"""

WAKE_ID = "queue-wake"

# Waiting this long with no stream open means lost (a stream normally opens within milliseconds
# of a join); a second wake waits as long again.
LOST_AFTER_MS = 2000
CHECK_EVERY_MS = 500
WAKES_PER_EVENT = 5  # then the event is given up on (its server may be gone)

WAKE_CSS = f"#{WAKE_ID} {{display: none !important;}}\n"

WATCH_HEAD = f"""<script>
(() => {{
  if (window.__legalqaQueue) return;
  // waiting: event id -> [when last heard of, wakes]; completed: events whose result arrived
  const state = {{waiting: new Map(), streams: 0, wakes: 0, completed: 0}};
  window.__legalqaQueue = state;
  const fetchNow = window.fetch.bind(window);
  const urlOf = (input) => typeof input === 'string' ? input : (input && input.url) || String(input);
  const heard = (line) => {{
    if (!line.startsWith('data:')) return;
    let message;
    try {{ message = JSON.parse(line.slice(5)); }} catch (error) {{ return; }}
    if (!message || !message.event_id) return;
    if (message.msg === 'process_completed') {{
      state.waiting.delete(message.event_id);
      state.completed += 1;
    }}
    else if (state.waiting.has(message.event_id)) state.waiting.set(message.event_id, [Date.now(), 0]);
  }};
  // The stream, read as it passes to the client: which events it completes, and when it ends.
  const watched = (body) => {{
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let rest = '', open = true;
    const ended = () => {{ if (open) {{ open = false; state.streams -= 1; }} }};
    state.streams += 1;
    return new ReadableStream({{
      async pull(controller) {{
        let part;
        try {{ part = await reader.read(); }} catch (error) {{ ended(); controller.error(error); return; }}
        if (part.done) {{ ended(); controller.close(); return; }}
        const lines = (rest + decoder.decode(part.value, {{stream: true}})).split(/\\r?\\n/);
        rest = lines.pop();
        lines.forEach(heard);
        controller.enqueue(part.value);
      }},
      cancel(reason) {{ ended(); return reader.cancel(reason); }},
    }});
  }};
  window.fetch = async (input, init) => {{
    const url = urlOf(input);
    const response = await fetchNow(input, init);
    if (/\\/queue\\/data(\\?|$)/.test(url) && response.body) {{
      return new Response(watched(response.body),
                          {{status: response.status, statusText: response.statusText, headers: response.headers}});
    }}
    if (/\\/queue\\/join(\\?|$)/.test(url) && response.ok) {{
      response.clone().json().then((joined) => {{
        if (joined && joined.event_id) state.waiting.set(joined.event_id, [Date.now(), 0]);
      }}).catch(() => {{}});
    }}
    return response;
  }};
  setInterval(() => {{
    if (state.streams > 0 || !state.waiting.size) return;
    const now = Date.now();
    const lost = [...state.waiting].filter(([, [since]]) => now - since >= {LOST_AFTER_MS});
    lost.filter(([, [, wakes]]) => wakes >= {WAKES_PER_EVENT}).forEach(([id]) => state.waiting.delete(id));
    const retry = lost.filter(([id]) => state.waiting.has(id));
    const wake = document.getElementById('{WAKE_ID}');
    if (!retry.length || !wake) return;
    retry.forEach(([id, [, wakes]]) => state.waiting.set(id, [now, wakes + 1]));
    state.wakes += 1;
    wake.click();
  }}, {CHECK_EVERY_MS});
}})();
</script>
"""
