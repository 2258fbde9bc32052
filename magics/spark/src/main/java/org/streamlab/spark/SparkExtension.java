package org.streamlab.spark;

import org.streamlab.kernel.spi.ExtensionContext;
import org.streamlab.kernel.spi.KernelExtension;
import org.streamlab.platform.Platform;

/**
 * Registers the Spark service, {@code %%sparksql} and {@code %delta}. Loads no Spark class: the Dataset
 * renderer is registered when Spark first starts (a Dataset cannot exist before).
 */
public final class SparkExtension implements KernelExtension {
    @Override
    public void register(ExtensionContext context) {
        SparkService service = Platform.of(context).register(new SparkService(context.config()));
        SparkService.makeCurrent(service);
        context.addMagic(SparkMagics.sparksql(service));
        context.addMagic(SparkMagics.delta(service));
        service.afterFirstStart(() -> SparkRenderers.register(context));
        // Jobs started from Java cells (Spark.session().sql(...).collect()) stop with the cell too.
        context.onInterrupt(service::cancelAllJobs);
    }
}
