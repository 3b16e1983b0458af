"""Fine-tuning: SFT samples from dialogues, and the training recipe (LoRA, QLoRA, full) with loss on
counselor tokens only."""
