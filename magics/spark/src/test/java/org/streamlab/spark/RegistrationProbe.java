package org.streamlab.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.display.Renderer;
import org.streamlab.kernel.magic.MagicSpec;
import org.streamlab.kernel.spi.ExtensionContext;
import org.streamlab.kernel.spi.KernelExtension;

/**
 * Loads the Spark extension the way the kernel does (ServiceLoader) and registers it, then prints the magics it
 * added. Run in its own JVM with -verbose:class by {@link SparkExtensionRegistrationTest}.
 */
public final class RegistrationProbe {
    public static void main(String[] args) {
        List<String> magics = new ArrayList<>();
        ExtensionContext context = new ExtensionContext() {
            @Override
            public void addMagic(MagicSpec magic) { magics.add(magic.invocation()); }

            @Override
            public <T> void addRenderer(Class<T> type, Renderer<? super T> renderer) { magics.add("renderer:" + type.getName()); }

            @Override
            public void onShutdown(Runnable hook) {}

            @Override
            public void onInterrupt(Runnable hook) {}

            @Override
            public KernelConfig config() { return KernelConfig.load(java.util.Map.of(), java.nio.file.Path.of(args[0])); }
        };
        for (KernelExtension e : ServiceLoader.load(KernelExtension.class)) {
            if (e instanceof SparkExtension) {
                e.register(context);
            }
        }
        System.out.println("PROBE-MAGICS " + magics);
        System.out.println("PROBE-CURRENT " + (SparkService.current() != null) + " " + SparkService.current().state()
                + " " + SparkService.current().address());
    }
}
