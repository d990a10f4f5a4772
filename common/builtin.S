/* builtin: the default model, model/digits.cnn, inside the program */
	.section .rodata
	.balign 64
	.globl	builtin_model
	.globl	builtin_model_end
builtin_model:
	.incbin	"model/digits.cnn"
builtin_model_end:
	.byte	0
#if defined(__linux__) && defined(__ELF__)
	.section .note.GNU-stack,"",%progbits
#endif
