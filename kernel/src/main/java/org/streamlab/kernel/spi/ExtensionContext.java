package org.streamlab.kernel.spi;

import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.display.Renderer;
import org.streamlab.kernel.magic.MagicSpec;

/** What an extension can add to the kernel it is loaded into. */
public interface ExtensionContext {
    void addMagic(MagicSpec magic);

    /** Renders values of {@code type} (and its subtypes, unless a more specific renderer exists). */
    <T> void addRenderer(Class<T> type, Renderer<? super T> renderer);

    /**
     * Runs on every interrupt, also while Java code runs: e.g. cancel the jobs a cell's Java code started
     * through an engine's API. Must be quick and must not throw.
     */
    void onInterrupt(Runnable hook);

    /** Runs when the kernel shuts down or restarts, in reverse order of registration. */
    void onShutdown(Runnable hook);

    KernelConfig config();
}
