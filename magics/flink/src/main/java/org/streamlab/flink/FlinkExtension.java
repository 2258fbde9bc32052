package org.streamlab.flink;

import org.streamlab.kernel.spi.ExtensionContext;
import org.streamlab.kernel.spi.KernelExtension;
import org.streamlab.platform.Platform;

/** Adds Flink to the kernel: the service (started on first use), %%flinksql and %flink. Loads no Flink class. */
public final class FlinkExtension implements KernelExtension {
    @Override
    public void register(ExtensionContext context) {
        FlinkService service = Platform.of(context).register(new FlinkService(context.config()));
        FlinkService.setCurrent(service);
        context.addMagic(FlinkMagics.sqlSpec(service));
        context.addMagic(FlinkMagics.jobsSpec(service));
        context.onInterrupt(service::cancelWaitingExecutions);
    }
}
