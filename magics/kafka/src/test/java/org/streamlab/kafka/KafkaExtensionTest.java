package org.streamlab.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.reflect.Proxy;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Registration runs at every kernel start: it must not load Kafka (or Scala) classes. */
class KafkaExtensionTest {
    @TempDir
    Path workspace;

    static final class RecordingLoader extends URLClassLoader {
        final List<String> loaded = new CopyOnWriteArrayList<>();

        RecordingLoader(URL[] urls) {
            super(urls, ClassLoader.getPlatformClassLoader());
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            loaded.add(name);
            return super.findClass(name);
        }
    }

    @Test
    void registrationLoadsNoKafkaClass() throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            urls.add(new File(entry).toURI().toURL());
        }
        try (RecordingLoader loader = new RecordingLoader(urls.toArray(URL[]::new))) {
            Class<?> contextType = loader.loadClass("org.streamlab.kernel.spi.ExtensionContext");
            Class<?> configType = loader.loadClass("org.streamlab.kernel.KernelConfig");
            Object config = configType.getMethod("load", Map.class, Path.class)
                    .invoke(null, Map.of("STREAMLAB_WORKSPACE", workspace.toString()), workspace);
            List<String> magics = new ArrayList<>();
            List<String> renderers = new ArrayList<>();
            Object context = Proxy.newProxyInstance(loader, new Class<?>[] {contextType}, (proxy, method, args) -> switch (method.getName()) {
                case "config" -> config;
                case "addMagic" -> {
                    Object spec = args[0];
                    magics.add((String) spec.getClass().getMethod("invocation").invoke(spec));
                    yield null;
                }
                case "addRenderer" -> {
                    renderers.add(((Class<?>) args[0]).getSimpleName());
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> null;
            });
            Object extension = loader.loadClass("org.streamlab.kafka.KafkaExtension").getConstructor().newInstance();
            extension.getClass().getMethod("register", contextType).invoke(extension, context);

            assertTrue(magics.contains("%kafka") && magics.contains("%%kafka") && magics.contains("%services"), magics.toString());
            assertTrue(renderers.contains("KafkaRecordList"), renderers.toString());
            List<String> engine = loader.loaded.stream()
                    .filter(n -> n.startsWith("org.apache.kafka.") || n.startsWith("kafka.") || n.startsWith("scala."))
                    .toList();
            assertEquals(List.of(), engine, "registration loaded engine classes");
            assertTrue(loader.loaded.contains("org.streamlab.kafka.KafkaService"), "the test did not load the extension: " + loader.loaded);
        }
    }

    @Test
    void produceLineKeepsTheValueVerbatim() {
        var p = KafkaMagic.ProduceLine.parse("produce orders --key 'user 1' {\"a\": \"b c\"}  ");
        assertEquals("orders", p.topic());
        assertEquals("user 1", p.key());
        assertEquals("{\"a\": \"b c\"}", p.value());
        var q = KafkaMagic.ProduceLine.parse("produce --key=k t 'quoted text'");
        assertEquals("t", q.topic());
        assertEquals("k", q.key());
        assertEquals("quoted text", q.value());
        var r = KafkaMagic.ProduceLine.parse("produce t -- --not an option");
        assertEquals("--not an option", r.value());
    }
}
