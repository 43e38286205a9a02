"""FastAPI app: chat gateway, guides + QR, agent console, WeChat, actions webhook."""
