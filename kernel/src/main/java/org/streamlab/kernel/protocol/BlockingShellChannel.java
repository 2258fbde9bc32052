package org.streamlab.kernel.protocol;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.AtomicInteger;
import org.dflib.jjava.jupyter.channels.JupyterConnection;
import org.dflib.jjava.jupyter.channels.ShellHandler;
import org.dflib.jjava.jupyter.channels.ShellReplyEnvironment;
import org.dflib.jjava.jupyter.kernel.KernelConnectionProperties;
import org.dflib.jjava.jupyter.messages.HMACGenerator;
import org.dflib.jjava.jupyter.messages.Message;
import org.zeromq.ZMQ;

/**
 * A shell or control channel that waits on its socket instead of polling: jjava-jupyter's channel checks
 * for a message and then sleeps 50 ms, which adds ~25 ms to every request. A message that fails to
 * parse or carries a wrong signature is dropped and logged; the channel keeps serving.
 */
final class BlockingShellChannel extends org.dflib.jjava.jupyter.channels.ShellChannel {
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final long POLL_TIMEOUT_MS = 500;

    private final boolean control;
    private final JupyterConnection connection;
    private volatile boolean running;
    private Thread loop;

    BlockingShellChannel(ZMQ.Context context, HMACGenerator hmac, boolean control, JupyterConnection connection) {
        super(context, hmac, control, connection);
        this.control = control;
        this.connection = connection;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public void bind(KernelConnectionProperties props) {
        String address = formatAddress(props.getTransport(), props.getIp(),
                control ? props.getControlPort() : props.getShellPort());
        super.bind(address);
        ZMQ.Poller poller = ctx.poller(1);
        poller.register(this, ZMQ.Poller.POLLIN);
        running = true;
        loop = new Thread(() -> {
            while (running) {
                if (poller.poll(POLL_TIMEOUT_MS) <= 0) {
                    continue;
                }
                Message<?> message;
                try {
                    message = readMessage();
                } catch (RuntimeException e) {
                    logger.warn("dropped a message that could not be read: {}", e.toString());
                    continue;
                }
                if (message == null) {
                    continue;
                }
                ShellHandler handler = connection.getHandler(message.getHeader().getType());
                if (handler == null) {
                    logger.warn("unhandled message type: {}", message.getHeader().getType().getName());
                    continue;
                }
                ShellReplyEnvironment env = connection.prepareReplyEnv(this, message);
                try {
                    handler.handle(env, message);
                } catch (Exception | LinkageError | StackOverflowError e) {
                    logger.warn("error handling {}: {}", message.getHeader().getType().getName(), e.toString());
                } finally {
                    env.resolveDeferrals();
                }
                if (env.isMarkedForShutdown()) {
                    running = false;
                    connection.close();
                }
            }
        }, (control ? "control-" : "shell-") + IDS.getAndIncrement());
        loop.start();
    }

    /**
     * Every reply on shell and control passes here: its content is completed with the fields the messaging spec
     * requires ({@link ReplyConformance}) before it is signed and sent.
     */
    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public synchronized void sendMessage(Message<?> message) {
        String type = message.getHeader().getType().getName();
        Object content = message.getContent();
        if (ReplyConformance.isReply(type) && content != null && WIRE_GSON != null) {
            try {
                JsonElement json = WIRE_GSON.toJsonTree(content);
                if (json.isJsonObject()) {
                    Object conformed = ReplyConformance.conform(type, json.getAsJsonObject());
                    message = new Message(message.getIdentities(), message.getHeader(),
                            message.hasParentHeader() ? message.getParentHeader() : null, message.getMetadata(),
                            conformed, message.getBlobs());
                }
            } catch (RuntimeException e) {
                logger.warn("sent {} as it was: {}", type, e.toString());
            }
        }
        super.sendMessage(message);
    }

    /** The Gson that jjava-jupyter serializes contents with (its type adapters), so the JSON is the same. */
    private static final Gson WIRE_GSON = wireGson();

    private static Gson wireGson() {
        try {
            Field f = org.dflib.jjava.jupyter.channels.JupyterSocket.class.getDeclaredField("gson");
            f.setAccessible(true);
            return (Gson) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void close() {
        running = false;
        super.close();
    }

    @Override
    public void waitUntilClose() {
        Thread t = loop;
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
