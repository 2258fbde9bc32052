package org.streamlab.pipelines.delta;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** Committables in checkpoints: the version, then each row as a null flag and a typed value per column. */
final class DeltaCommittableSerializer implements SimpleVersionedSerializer<DeltaCommittable>, java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private final DeltaType[] types;

    DeltaCommittableSerializer(List<DeltaColumn> columns) {
        this.types = columns.stream().map(DeltaColumn::type).toArray(DeltaType[]::new);
    }

    @Override
    public int getVersion() {
        return 1;
    }

    @Override
    public byte[] serialize(DeltaCommittable c) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeLong(c.version());
            out.writeInt(types.length);
            out.writeInt(c.rows().size());
            for (Object[] row : c.rows()) {
                for (int i = 0; i < types.length; i++) {
                    Object v = row[i];
                    out.writeBoolean(v == null);
                    if (v == null) {
                        continue;
                    }
                    switch (types[i]) {
                        case STRING -> writeUTF8(out, (String) v); // writeUTF stops at 64 kB
                        case LONG, TIMESTAMP -> out.writeLong((Long) v);
                        case INT -> out.writeInt((Integer) v);
                        case DOUBLE -> out.writeDouble((Double) v);
                        case BOOLEAN -> out.writeBoolean((Boolean) v);
                    }
                }
            }
        }
        return bytes.toByteArray();
    }

    @Override
    public DeltaCommittable deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1) {
            throw new IOException("unknown Delta committable format " + version);
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            long txnVersion = in.readLong();
            int width = in.readInt();
            if (width != types.length) {
                throw new IOException("a committable of " + width + " columns restored into a sink of " + types.length);
            }
            int n = in.readInt();
            List<Object[]> rows = new ArrayList<>(n);
            for (int r = 0; r < n; r++) {
                Object[] row = new Object[width];
                for (int i = 0; i < width; i++) {
                    if (in.readBoolean()) {
                        continue;
                    }
                    row[i] = switch (types[i]) {
                        case STRING -> readUTF8(in);
                        case LONG, TIMESTAMP -> in.readLong();
                        case INT -> in.readInt();
                        case DOUBLE -> in.readDouble();
                        case BOOLEAN -> in.readBoolean();
                    };
                }
                rows.add(row);
            }
            return new DeltaCommittable(txnVersion, rows);
        }
    }

    private static void writeUTF8(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readUTF8(DataInputStream in) throws IOException {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return new String(b, java.nio.charset.StandardCharsets.UTF_8);
    }
}
