package org.streamlab.kernel.spi;

/**
 * How modules outside the kernel add magics and renderers. Implementations are listed in
 * {@code META-INF/services/org.streamlab.kernel.spi.KernelExtension} and loaded with {@link java.util.ServiceLoader}
 * when the kernel starts, so registration must be cheap: start services lazily, on first use.
 */
public interface KernelExtension {
    void register(ExtensionContext context);
}
