package org.streamlab.kernel.display;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/** XChart charts as PNG, with an SVG form too. */
final class ChartRenderer {
    private ChartRenderer() {}

    static DisplayData render(Object value) throws Exception {
        Chart<?, ?> chart = (Chart<?, ?>) value;
        BufferedImage image = BitmapEncoder.getBufferedImage(chart);
        String title = chart.getTitle() == null || chart.getTitle().isBlank() ? "chart" : "chart: " + chart.getTitle();
        DisplayData d = BuiltinRenderers.png(image, title);
        java.io.ByteArrayOutputStream svg = new java.io.ByteArrayOutputStream();
        VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        d.putSVG(svg.toString(StandardCharsets.UTF_8));
        return d;
    }
}
