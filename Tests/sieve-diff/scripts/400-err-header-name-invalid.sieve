if header :is "Sub ject" "x" { keep; }
