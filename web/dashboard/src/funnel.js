// The funnel page's charts: figures from the page's JSON data block (#funnel-data), drawn with
// Chart.js (bundled by build.mjs; nothing from a CDN). The tables under the charts show the same
// numbers, so the page reads without JavaScript too.
import {
  BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip,
} from "chart.js";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const PALETTE = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#57606a", "#0a7f86"];
const GRADE_COLORS = { A: "#2da44e", B: "#bf8700", C: "#57606a" };

function bar(id, labels, datasets, options = {}) {
  const canvas = document.getElementById(id);
  if (!canvas) return null;
  return new Chart(canvas, {
    type: "bar",
    data: { labels, datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: datasets.length > 1 } },
      scales: { x: { stacked: !!options.stacked }, y: { stacked: !!options.stacked, beginAtZero: true, ticks: { precision: 0 } } },
      ...options.chart,
    },
  });
}

function stackedByDay(id, table, colors) {
  const days = Object.keys(table).sort();
  const names = [...new Set(days.flatMap((d) => Object.keys(table[d])))].sort();
  const datasets = names.map((name, i) => ({
    label: name,
    data: days.map((d) => table[d][name] || 0),
    backgroundColor: (colors && colors[name]) || PALETTE[i % PALETTE.length],
  }));
  return bar(id, days, datasets, { stacked: true });
}

function draw() {
  const block = document.getElementById("funnel-data");
  if (!block) return;
  const data = JSON.parse(block.textContent);
  bar("chart-funnel", data.stages.map((s) => s.label),
    [{ label: "Conversations", data: data.stages.map((s) => s.count), backgroundColor: PALETTE[0] }],
    { chart: { indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } } });
  const questions = data.questions;
  const labels = data.labels || {};
  bar("chart-questions", questions.map((q) => labels[q.question] || q.question), [
    { label: "Dropped out here", data: questions.map((q) => q.dropouts), backgroundColor: PALETTE[3] },
    { label: "Re-asked", data: questions.map((q) => q.reasked), backgroundColor: PALETTE[2] },
    { label: "Fallbacks", data: questions.map((q) => q.fallbacks), backgroundColor: PALETTE[4] },
  ]);
  stackedByDay("chart-leads-channel", data.leads_by_day_channel);
  stackedByDay("chart-leads-grade", data.leads_by_day_grade, GRADE_COLORS);
  document.body.dataset.chartsReady = "1";
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
else draw();
