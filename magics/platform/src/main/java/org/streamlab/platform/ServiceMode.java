package org.streamlab.platform;

/** Embedded: the kernel starts the engine on loopback. External: the kernel connects to a configured address. */
public enum ServiceMode { EMBEDDED, EXTERNAL }
