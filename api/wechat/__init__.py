"""WeChat official-account (公众号) channel: XML safety, reply formatting, de-duplication,
late delivery through the customer-service API. The HTTP glue lives in ``api/routes/wechat.py``."""
