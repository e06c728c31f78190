// tenderlab report page: draws every chart with vega-embed, switches money between bn KRW, 억원
// and 조원, and records in #tl-status how many marks each chart drew (tests read it; so can a
// reader who wonders why a chart is empty). Inlined into every report; no network access.
(function () {
  'use strict';
  var status = { state: 'pending', errors: [], charts: {} };
  var statusElement = document.getElementById('tl-status');
  function publish() {
    statusElement.textContent = JSON.stringify(status);
    statusElement.setAttribute('data-state', status.state);
  }
  window.addEventListener('error', function (event) {
    status.errors.push(String(event.message || event.error));
    publish();
  });
  window.addEventListener('unhandledrejection', function (event) {
    status.errors.push(String(event.reason));
    publish();
  });

  // 1 bn KRW = 10 억원; 1 조원 = 1000 bn KRW.
  var units = {
    bn: { label: 'bn KRW', factor: 1, format: ',.1f', decimals: 1 },
    eok: { label: '억원', factor: 10, format: ',.0f', decimals: 0 },
    jo: { label: '조원', factor: 0.001, format: ',.3f', decimals: 3 }
  };
  var unit = units.bn;

  var config = {
    font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Noto Sans KR", "NanumGothic", "Apple SD Gothic Neo", "Malgun Gothic", sans-serif',
    axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 600, titleColor: '#222', labelColor: '#333', gridColor: '#e6e6e6' },
    legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 600, symbolSize: 120 },
    header: { labelFontSize: 13, titleFontSize: 13 },
    view: { stroke: null },
    text: { font: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif' }
  };

  // Replaces the money placeholders of a spec (see report_document.hpp) with the current unit.
  function withUnit(node) {
    if (typeof node === 'string') {
      return node.split('@money_factor@').join(String(unit.factor))
        .split('@money_unit@').join(unit.label)
        .split('@money_format@').join(unit.format);
    }
    if (Array.isArray(node)) return node.map(withUnit);
    if (node && typeof node === 'object') {
      var copy = {};
      Object.keys(node).forEach(function (key) { copy[key] = withUnit(node[key]); });
      return copy;
    }
    return node;
  }

  // Data marks (not axes, legends or frames) in a scenegraph.
  function countMarks(item) {
    var count = 0;
    if (!item) return 0;
    if (item.marktype) {
      var dataMark = item.role === 'mark' && item.marktype !== 'group';
      (item.items || []).forEach(function (child) {
        if (dataMark) count += 1;
        count += countMarks(child);
      });
      return count;
    }
    (item.items || []).forEach(function (child) { count += countMarks(child); });
    return count;
  }

  var specs = JSON.parse(document.getElementById('tl-specs').textContent);
  var views = {};
  var hasMoney = {};
  Object.keys(specs).forEach(function (id) {
    hasMoney[id] = JSON.stringify(specs[id]).indexOf('@money_') >= 0;
  });

  function draw(id) {
    if (views[id]) views[id].finalize();
    return vegaEmbed('#chart-' + id, withUnit(specs[id]), {
      mode: 'vega-lite', renderer: 'svg', actions: false, config: config
    }).then(function (result) {
      views[id] = result.view;
      status.charts[id] = countMarks(result.view.scenegraph().root);
    }, function (error) {
      status.charts[id] = 0;
      status.errors.push(id + ': ' + String(error));
    });
  }

  function setTableUnit() {
    document.querySelectorAll('[data-bn]').forEach(function (cell) {
      var value = Number(cell.getAttribute('data-bn')) * unit.factor;
      var decimals = Number(cell.getAttribute('data-decimals'));
      if (unit === units.eok) decimals = Math.max(0, decimals - 1);
      if (unit === units.jo) decimals = decimals + 3;
      cell.textContent = value.toLocaleString('en-US', {
        minimumFractionDigits: decimals, maximumFractionDigits: decimals
      });
    });
    document.querySelectorAll('[data-money-unit]').forEach(function (span) {
      span.textContent = unit.label;
    });
  }

  document.querySelectorAll('input[name="tl-money-unit"]').forEach(function (input) {
    input.addEventListener('change', function () {
      unit = units[input.value];
      setTableUnit();
      Object.keys(specs).filter(function (id) { return hasMoney[id]; }).forEach(draw);
    });
  });

  Promise.all(Object.keys(specs).map(draw)).then(function () {
    status.state = 'done';
    publish();
  });
  publish();
})();
