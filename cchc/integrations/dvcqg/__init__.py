"""The National Public Service Portal (Cổng Dịch vụ công quốc gia): each dossier's creation and
status changes delivered in order through the outbox (Circular 04/2025/TT-VPCP), a local
simulator speaking the same protocol, and the daily reconciliation."""

SYSTEM = "dvcqg"
