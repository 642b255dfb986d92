// The ECharts build HTX Số serves (htxso/static/vendor/echarts/echarts.min.js), made by
// `make vendor` with esbuild from the pinned echarts package: only the charts and components
// the pages use, so a phone downloads a fraction of the full build. A page that needs a chart
// or component not listed here adds it below and re-runs `make vendor`
// (htxso/core/tests/test_static_assets.py checks the pages' chart types against this list).
import * as echarts from "echarts/core";
import {
  BarChart, GaugeChart, HeatmapChart, LineChart, MapChart, PieChart, RadarChart, ScatterChart,
} from "echarts/charts";
import {
  AriaComponent, AxisPointerComponent, DatasetComponent, DataZoomComponent, GridComponent,
  LegendComponent, MarkAreaComponent, MarkLineComponent, MarkPointComponent, RadarComponent,
  TitleComponent, ToolboxComponent, TooltipComponent, VisualMapComponent,
} from "echarts/components";
import { LabelLayout } from "echarts/features";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([
  BarChart, GaugeChart, HeatmapChart, LineChart, MapChart, PieChart, RadarChart, ScatterChart,
  AriaComponent, AxisPointerComponent, DatasetComponent, DataZoomComponent, GridComponent,
  LegendComponent, MarkAreaComponent, MarkLineComponent, MarkPointComponent, RadarComponent,
  TitleComponent, ToolboxComponent, TooltipComponent, VisualMapComponent,
  LabelLayout, CanvasRenderer,
]);
window.echarts = echarts;
