package org.streamlab.feast;

import org.streamlab.kernel.spi.ExtensionContext;
import org.streamlab.kernel.spi.KernelExtension;
import org.streamlab.platform.Platform;

/** Registers the Feast service, {@code %feast} and {@code %%feast}. Cheap: nothing runs until a magic needs feast. */
public final class FeastExtension implements KernelExtension {
    @Override
    public void register(ExtensionContext context) {
        FeastService service = Platform.of(context).register(new FeastService(context.config()));
        Feast.setCurrent(service);
        context.addMagic(FeastMagic.lineSpec(service));
        context.addMagic(FeastMagic.cellSpec(service));
        context.addRenderer(OnlineFeatures.class, f -> f.toHtmlTable().toDisplayData());
        context.addRenderer(TrainingSet.class, t -> t.toHtmlTable().toDisplayData());
        // a feast command started from a Java cell (Feast.apply, Feast.trainingSet) stops on interrupt too
        context.onInterrupt(service::killRunningCommands);
    }
}
