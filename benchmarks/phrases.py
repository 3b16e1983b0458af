"""Counseling phrases the benchmarks build their synthetic text from (timings only: no figure about quality is
measured on them)."""

ZH = [
    "最近压力很大",
    "晚上总是睡不着",
    "我觉得自己什么都做不好",
    "听起来你真的很辛苦",
    "能多说说发生了什么吗",
    "和家人的关系让我很困扰",
    "你愿意和我分享这些，我很感谢",
    "工作上的事情让我很焦虑",
    "这种感觉持续多久了",
    "我能理解你的担心",
    "也许我们可以一起想想办法",
    "我不知道该怎么办",
    "你已经很努力了",
    "先照顾好自己",
]
EN = [
    "I have been under a lot of stress",
    "I can't sleep at night",
    "it sounds really hard",
    "can you tell me more about what happened",
    "my family keeps arguing",
    "thank you for sharing this",
    "work makes me anxious",
    "how long have you felt this way",
    "I understand your worry",
    "maybe we can think about it together",
    "I don't know what to do",
    "you have tried so hard",
]
