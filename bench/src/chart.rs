//! `calls_per_sec.png`: calls/s against concurrency, one panel per server
//! and workload, one line per client.
//!
//! Text is drawn by plotters' `ab_glyph` feature (pure Rust) from a TTF
//! read at run time, by default DejaVu Sans from Debian's fonts-dejavu-core:
//! no fontconfig or FreeType, and no font copied into the repository.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _};
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::cell::{ClientKind, ServerMode, Workload};
use crate::report::{thousands, Report};

const FONT_CANDIDATES: [&str; 3] = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
];

const PANEL_W: u32 = 520;
const PANEL_H: u32 = 380;
/// Wide enough for the title when only one workload is drawn.
const MIN_W: u32 = 900;
const HEADER_H: u32 = 70;

fn color(client: ClientKind) -> RGBColor {
    match client {
        ClientKind::Tonic => RGBColor(127, 127, 127),
        ClientKind::Raw => RGBColor(31, 119, 180),
        ClientKind::Facade => RGBColor(214, 39, 40),
        ClientKind::Node => RGBColor(44, 160, 44),
    }
}

/// Registers the font as `sans-serif` (once per process; the bytes are
/// kept for the process's life, as plotters requires).
fn load_font(font: Option<&Path>) -> anyhow::Result<()> {
    let path: PathBuf = match font {
        Some(path) => path.to_path_buf(),
        None => FONT_CANDIDATES
            .iter()
            .map(PathBuf::from)
            .find(|p| p.is_file())
            .context("no TTF font found: install fonts-dejavu-core or pass --font")?,
    };
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
    register_font("sans-serif", FontStyle::Normal, bytes)
        .map_err(|_| anyhow!("{} is not a usable font", path.display()))
}

/// `v` when it is 1, 2 or 5 times a power of ten.
fn one_two_five(v: f64) -> Option<f64> {
    if v <= 0.0 || !v.is_finite() {
        return None;
    }
    let decade = 10f64.powf(v.log10().floor());
    let mantissa = v / decade;
    [1.0, 2.0, 5.0]
        .iter()
        .any(|m| (mantissa - m).abs() < 1e-6 * m)
        .then_some(v)
}

/// The points of one line: (concurrency index, calls/s).
fn series(
    report: &Report,
    server: ServerMode,
    workload: Workload,
    client: ClientKind,
) -> Vec<(f64, f64)> {
    let levels = &report.settings.concurrency;
    report
        .rows
        .iter()
        .filter(|r| r.server == server && r.workload == workload && r.client == client)
        .filter_map(|r| {
            levels
                .iter()
                .position(|&c| c == r.concurrency)
                .map(|i| (i as f64, r.calls_per_s))
        })
        .collect()
}

/// Draws the chart into `path`.
///
/// # Errors
/// No font, a drawing failure, or a PNG that cannot be written.
pub fn draw(report: &Report, path: &Path, font: Option<&Path>) -> anyhow::Result<()> {
    load_font(font)?;
    let servers = &report.settings.servers;
    let workloads = &report.settings.workloads;
    let levels = report.settings.concurrency.clone();
    let (w, h) = (
        (PANEL_W * workloads.len() as u32).max(MIN_W),
        HEADER_H + PANEL_H * servers.len() as u32,
    );
    let mut buffer = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buffer, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| anyhow!("{e:?}"))?;
        let (header, body) = root.split_vertically(HEADER_H);
        let m = &report.machine;
        header
            .draw_text(
                "scalekit-bench: calls/s by concurrency (median over rounds, log scale)",
                &("sans-serif", 24).into_font().color(&BLACK),
                (16, 10),
            )
            .map_err(|e| anyhow!("{e:?}"))?;
        header
            .draw_text(
                &format!(
                    "{} CPUs, {} · {} · {} rounds",
                    m.cpus, m.cpu_model, m.date, report.settings.rounds
                ),
                &("sans-serif", 15).into_font().color(&RGBColor(90, 90, 90)),
                (16, 42),
            )
            .map_err(|e| anyhow!("{e:?}"))?;

        let panels = body.split_evenly((servers.len(), workloads.len()));
        let cells = servers
            .iter()
            .flat_map(|s| workloads.iter().map(move |wl| (*s, *wl)));
        for (panel, (server, workload)) in panels.iter().zip(cells) {
            let lines: Vec<(ClientKind, Vec<(f64, f64)>)> = report
                .settings
                .clients
                .iter()
                .map(|&c| (c, series(report, server, workload, c)))
                .collect();
            // A log scale: Node and the Rust clients differ by more than
            // 10×, and a linear axis flattens the slower line.
            let values = || {
                lines
                    .iter()
                    .flat_map(|(_, pts)| pts.iter().map(|p| p.1))
                    .filter(|v| *v > 0.0)
            };
            let top = values().fold(1.0f64, f64::max) * 1.6;
            // plotters puts key points from the first power of ten inside
            // the range, so start the axis at one.
            let lowest = values().fold(top, f64::min) / 1.2;
            let bottom = 10f64.powf(lowest.max(1.0).log10().floor());
            let n = levels.len() as f64;
            let mut chart = ChartBuilder::on(panel)
                .caption(
                    format!("{} · {} server", workload.name(), server.name()),
                    ("sans-serif", 19),
                )
                .margin(12)
                .x_label_area_size(42)
                .y_label_area_size(70)
                .build_cartesian_2d(-0.4f64..(n - 0.6), (bottom..top).log_scale())
                .map_err(|e| anyhow!("{e:?}"))?;
            let level_label = |x: &f64| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 {
                    levels
                        .get(i as usize)
                        .map(|c| c.to_string())
                        .unwrap_or_default()
                } else {
                    String::new()
                }
            };
            let last_label = std::cell::Cell::new(f64::NAN);
            chart
                .configure_mesh()
                .x_labels(levels.len())
                .x_label_formatter(&level_label)
                // Ask for a key point at every 1–9 × 10^k and label only the
                // 1-2-5 ones, so that every decade reads the same way.
                .y_labels(40)
                .y_label_formatter(&|y| {
                    // The last light key point of a decade repeats the next
                    // decade's bold one: label it once.
                    let label = one_two_five(*y).filter(|v| last_label.replace(*v) != *v);
                    label.map(thousands).unwrap_or_default()
                })
                .x_desc("concurrency (calls in flight)")
                .y_desc("calls/s")
                .label_style(("sans-serif", 14))
                .axis_desc_style(("sans-serif", 14))
                .bold_line_style(RGBColor(228, 228, 228))
                .light_line_style(RGBColor(247, 247, 247))
                .draw()
                .map_err(|e| anyhow!("{e:?}"))?;
            for (client, points) in lines {
                let c = color(client);
                chart
                    .draw_series(LineSeries::new(
                        points.iter().copied().filter(|p| p.1 > 0.0),
                        c.stroke_width(2),
                    ))
                    .map_err(|e| anyhow!("{e:?}"))?
                    .label(client.name())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2))
                    });
                chart
                    .draw_series(
                        points
                            .iter()
                            .filter(|p| p.1 > 0.0)
                            .map(|&p| Circle::new(p, 4, c.filled())),
                    )
                    .map_err(|e| anyhow!("{e:?}"))?;
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperLeft)
                .background_style(WHITE.mix(0.85))
                .border_style(RGBColor(180, 180, 180))
                .label_font(("sans-serif", 14))
                .draw()
                .map_err(|e| anyhow!("{e:?}"))?;
        }
        root.present().map_err(|e| anyhow!("{e:?}"))?;
    }

    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(&buffer))
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_two_five_values_are_labelled() {
        assert_eq!(one_two_five(200.0), Some(200.0));
        assert_eq!(one_two_five(5_000.0), Some(5_000.0));
        assert_eq!(one_two_five(10_000.0), Some(10_000.0));
        // A key point just below a decade is not labelled twice.
        assert_eq!(one_two_five(9_999.999), None);
        assert_eq!(one_two_five(3_000.0), None);
        assert_eq!(one_two_five(0.0), None);
    }
}
