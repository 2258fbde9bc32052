package org.streamlab.platform;

public enum ServiceState { STOPPED, STARTING, RUNNING, FAILED }
