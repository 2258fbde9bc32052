package org.streamlab.kernel.display;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;

/**
 * The one place values become MIME bundles. The most specific registered class (then interface) wins.
 * A renderer that throws does not fail the cell: the value is shown as text with a note.
 */
public final class RendererRegistry {
    private final Map<Class<?>, Renderer<Object>> renderers = new LinkedHashMap<>();

    @SuppressWarnings("unchecked")
    public synchronized <T> void register(Class<T> type, Renderer<? super T> renderer) {
        renderers.put(type, (Renderer<Object>) renderer);
    }

    /** Always returns a bundle with {@code text/plain}. */
    public DisplayData render(Object value) {
        if (value instanceof DisplayData dd) {
            return ensureText(dd, value);
        }
        Renderer<Object> renderer = value == null ? null : find(value.getClass());
        if (renderer != null) {
            try {
                DisplayData dd = renderer.render(value);
                if (dd != null) {
                    return ensureText(dd, value);
                }
            } catch (Throwable e) {
                DisplayData fallback = new DisplayData(safeToString(value)
                        + "\n(renderer for " + value.getClass().getSimpleName() + " failed: " + e + ")");
                return fallback;
            }
        }
        return new DisplayData(safeToString(value));
    }

    private synchronized Renderer<Object> find(Class<?> type) {
        // breadth-first over superclasses, then interfaces: the closest registration wins
        Deque<Class<?>> queue = new ArrayDeque<>();
        Set<Class<?>> seen = new HashSet<>();
        queue.add(type);
        while (!queue.isEmpty()) {
            Class<?> c = queue.poll();
            if (!seen.add(c)) {
                continue;
            }
            Renderer<Object> r = renderers.get(c);
            if (r != null) {
                return r;
            }
            if (c.getSuperclass() != null && c.getSuperclass() != Object.class) {
                queue.add(c.getSuperclass());
            }
            for (Class<?> i : c.getInterfaces()) {
                queue.add(i);
            }
        }
        return renderers.get(Object.class);
    }

    private static DisplayData ensureText(DisplayData dd, Object value) {
        if (!dd.hasDataForType(org.dflib.jjava.jupyter.kernel.display.mime.MIMEType.TEXT_PLAIN)) {
            dd.putText(value instanceof DisplayData ? "" : safeToString(value));
        }
        return dd;
    }

    static String safeToString(Object value) {
        try {
            return TextForm.of(value);
        } catch (Throwable e) {
            return value.getClass().getName() + " (toString failed: " + e + ")";
        }
    }
}
