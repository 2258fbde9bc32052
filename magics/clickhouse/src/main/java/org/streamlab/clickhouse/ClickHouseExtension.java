package org.streamlab.clickhouse;

import org.streamlab.kernel.spi.ExtensionContext;
import org.streamlab.kernel.spi.KernelExtension;
import org.streamlab.platform.Platform;

/**
 * Registers the ClickHouse service and {@code %%clickhouse}. Cheap: no server starts and no JDBC driver class
 * loads until the first cell needs them.
 */
public final class ClickHouseExtension implements KernelExtension {
    @Override
    public void register(ExtensionContext context) {
        ClickHouseService service = Platform.of(context).register(new ClickHouseService(context.config()));
        ClickHouse.setCurrent(service);
        // nothing listens until %clickhouse dashboard: creating it is cheap
        Dashboard dashboard = new Dashboard(service::runningEndpoint, () -> service.jupyterProxyPrefix().isPresent());
        ClickHouse.setDashboard(dashboard);
        context.addMagic(ClickHouseMagic.spec(service, dashboard));
        context.addMagic(ClickHouseMagic.lineSpec(service, dashboard));
        context.onShutdown(dashboard::stop);
        context.addRenderer(QueryResult.class, r -> r.toHtmlTable().toDisplayData());
    }
}
