package org.streamlab.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.streamlab.kernel.testkit.KernelTestKit;

/**
 * Integration test: the embedded Kafka broker, Flink MiniCluster, Spark and clickhouse-server are started through
 * the kernel, then every listening TCP socket of this JVM and of its child processes (clickhouse-server) is read
 * from /proc/net/tcp and /proc/net/tcp6: none may listen on a wildcard address (0.0.0.0 or ::) or any address
 * other than loopback.
 */
class LoopbackOnlyTest {
    private static final Pattern SOCKET = Pattern.compile("socket:\\[(\\d+)]");

    record Listener(String address, int port, long inode) {
        boolean loopback() {
            return address.startsWith("127.") || address.equals("::1") || address.startsWith("::ffff:127.");
        }
    }

    @Test
    void everyEmbeddedServiceListensOnLoopbackOnly() throws Exception {
        KernelTestKit kit = SharedKernel.get();
        for (String service : List.of("kafka", "flink", "spark", "clickhouse")) {
            kit.execSuccess("%services start " + service);
        }
        String services = kit.execSuccess("%services").allText();
        Set<Long> pids = new HashSet<>();
        pids.add(ProcessHandle.current().pid());
        ProcessHandle.current().descendants().forEach(p -> pids.add(p.pid()));
        assertTrue(pids.size() > 1, "clickhouse-server runs as a child process: " + services);

        Set<Long> inodes = new HashSet<>();
        for (long pid : pids) {
            inodes.addAll(socketInodes(pid));
        }
        List<Listener> listeners = new ArrayList<>();
        listeners.addAll(listeners(Path.of("/proc/net/tcp"), false, inodes));
        listeners.addAll(listeners(Path.of("/proc/net/tcp6"), true, inodes));
        // Kafka, Flink's REST endpoint and ClickHouse (HTTP and native) at least
        assertTrue(listeners.size() >= 4, "listening sockets found: " + listeners + "\n" + services);
        List<Listener> open = listeners.stream().filter(l -> !l.loopback()).collect(Collectors.toList());
        assertEquals(List.of(), open, "sockets not bound to loopback (all: " + listeners + ")\n" + services);
        System.out.println("listening sockets of the kernel and its children: " + listeners);
    }

    @Test
    void procAddressesAreDecoded() {
        assertEquals("127.0.0.1", address("0100007F", false));
        assertEquals("0.0.0.0", address("00000000", false));
        assertEquals("::", address("00000000000000000000000000000000", true));
        assertEquals("::1", address("00000000000000000000000001000000", true));
        assertFalse(new Listener("0.0.0.0", 1, 1).loopback());
        assertFalse(new Listener("::", 1, 1).loopback());
    }

    static Set<Long> socketInodes(long pid) {
        Set<Long> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", String.valueOf(pid), "fd"))) {
            for (Path fd : fds) {
                try {
                    Matcher m = SOCKET.matcher(Files.readSymbolicLink(fd).toString());
                    if (m.matches()) {
                        inodes.add(Long.parseLong(m.group(1)));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor was closed while listing
                }
            }
        } catch (IOException processGone) {
            // a child that ended while listing
        }
        return inodes;
    }

    static List<Listener> listeners(Path table, boolean v6, Set<Long> inodes) throws IOException {
        List<Listener> out = new ArrayList<>();
        if (!Files.exists(table)) {
            return out;
        }
        List<String> lines = Files.readAllLines(table);
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.trim().split("\\s+");
            // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
            if (f.length < 10 || !f[3].equals("0A")) { // 0A: LISTEN
                continue;
            }
            long inode = Long.parseLong(f[9]);
            if (!inodes.contains(inode)) {
                continue;
            }
            String[] local = f[1].split(":");
            out.add(new Listener(address(local[0], v6), Integer.parseInt(local[1], 16), inode));
        }
        return out;
    }

    /** /proc/net's hex address (little-endian 32-bit words) as text. */
    static String address(String hex, boolean v6) {
        byte[] bytes = new byte[hex.length() / 2];
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (3 - i) * 2;
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        boolean zeros = true;
        for (int i = 0; i < bytes.length - 1; i++) {
            zeros &= bytes[i] == 0;
        }
        if (v6 && zeros && bytes[15] == 0) {
            return "::";
        }
        if (v6 && zeros && bytes[15] == 1) {
            return "::1";
        }
        try {
            // an IPv4-mapped IPv6 address comes back as its IPv4 form
            return java.net.InetAddress.getByAddress(bytes).getHostAddress();
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(hex, e);
        }
    }
}
