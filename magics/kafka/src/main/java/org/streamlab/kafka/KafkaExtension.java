package org.streamlab.kafka;

import org.streamlab.kernel.spi.ExtensionContext;
import org.streamlab.kernel.spi.KernelExtension;
import org.streamlab.platform.Platform;

/**
 * Adds Kafka to a kernel: the {@code kafka} service, {@code %kafka} / {@code %%kafka}, and the record-list
 * renderer. Cheap: no Kafka class is loaded until a magic or the {@link Kafka} facade needs the service.
 */
public final class KafkaExtension implements KernelExtension {
    @Override
    public void register(ExtensionContext context) {
        KafkaService service = Platform.of(context).register(new KafkaService(context.config()));
        KafkaService.setCurrent(service);
        context.addMagic(KafkaMagic.lineSpec(service));
        context.addMagic(KafkaMagic.cellSpec(service));
        context.addRenderer(KafkaRecordList.class, list -> KafkaRecord.table(list, SHOWN_ROWS).toDisplayData());
        context.addRenderer(KafkaStatus.class, KafkaStatus::toDisplayData);
        context.addRenderer(KafkaRecord.class, r -> KafkaRecord.table(java.util.List.of(r), 1).toDisplayData());
    }

    /** Same as KafkaOps.SHOWN_ROWS, repeated so that rendering does not load KafkaOps (and Kafka) classes. */
    private static final int SHOWN_ROWS = 100;
}
