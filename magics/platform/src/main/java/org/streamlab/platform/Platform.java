package org.streamlab.platform;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import org.streamlab.kernel.KernelConfig;
import org.streamlab.kernel.UserError;
import org.streamlab.kernel.spi.ExtensionContext;

/**
 * The services of one kernel. Each service module registers its {@link ManagedService} here from its
 * extension; the {@code %services} magic lists and controls them; all stop with the kernel.
 */
public final class Platform {
    private static final Map<KernelConfig, Platform> BY_KERNEL = new WeakHashMap<>();

    private final KernelConfig config;
    private final Map<String, ManagedService> services = Collections.synchronizedMap(new java.util.LinkedHashMap<>());

    private Platform(KernelConfig config) {
        this.config = config;
    }

    /** The platform of the kernel an extension is being loaded into (created on first call). */
    public static synchronized Platform of(ExtensionContext context) {
        Platform existing = BY_KERNEL.get(context.config());
        if (existing != null) {
            return existing;
        }
        Platform platform = new Platform(context.config());
        BY_KERNEL.put(context.config(), platform);
        context.onShutdown(platform::stopAll);
        context.addMagic(ServicesMagic.spec(platform));
        return platform;
    }

    public KernelConfig config() { return config; }

    public <S extends ManagedService> S register(S service) {
        services.put(service.name(), service);
        return service;
    }

    public List<ManagedService> services() {
        synchronized (services) {
            return new ArrayList<>(services.values());
        }
    }

    public ManagedService service(String name) {
        ManagedService s = services.get(name);
        if (s == null) {
            throw new UserError("no service named '" + name + "'", "known services: " + String.join(", ", services.keySet()));
        }
        return s;
    }

    /** Stops every service, newest first, never throwing: used at kernel shutdown. */
    public void stopAll() {
        List<ManagedService> all = services();
        Collections.reverse(all);
        for (ManagedService s : all) {
            try {
                s.stop();
            } catch (RuntimeException e) {
                System.err.println("warning: " + e.getMessage());
            }
        }
    }
}
