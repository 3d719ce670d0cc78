stand-in for billing/render_pdf.py
