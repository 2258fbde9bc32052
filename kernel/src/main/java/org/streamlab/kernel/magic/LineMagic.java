package org.streamlab.kernel.magic;

/** A magic written on one line: {@code %name args}. The returned value (if any) is rendered as the cell's result. */
@FunctionalInterface
public interface LineMagic {
    Object run(MagicContext context, MagicArgs args) throws Exception;
}
