package org.streamlab.kernel.magic;

/** A magic owning a whole cell: {@code %%name args} on the first line, the body below. */
@FunctionalInterface
public interface CellMagic {
    Object run(MagicContext context, MagicArgs args, String body) throws Exception;
}
