Building and compiling model ...
------------- Model compiled in 3.91s ---------------
('Cell type: LSTM', 'Drop Input: 0.1', 'Cell Count: 64')
('Multi-layer: True', 'Drop Recurrent: 0.0', 'Optimizer: adam')
Train on 8000 samples, validate on 2000 samples
Epoch 1/15
67s - loss: 2.4808 - acc: 0.2275 - val_loss: 2.1192 - val_acc: 0.4365
Epoch 2/15
64s - loss: 1.7988 - acc: 0.4308 - val_loss: 1.9340 - val_acc: 0.4770
Epoch 3/15
64s - loss: 1.4631 - acc: 0.5405 - val_loss: 1.9335 - val_acc: 0.4755
Epoch 4/15
65s - loss: 1.1503 - acc: 0.6539 - val_loss: 1.8343 - val_acc: 0.5055
Epoch 5/15
65s - loss: 0.8868 - acc: 0.7420 - val_loss: 1.8950 - val_acc: 0.5250
Epoch 6/15
65s - loss: 0.7165 - acc: 0.7940 - val_loss: 2.0127 - val_acc: 0.4945
Epoch 7/15
65s - loss: 0.5740 - acc: 0.8361 - val_loss: 2.1347 - val_acc: 0.5000
Epoch 8/15
65s - loss: 0.4883 - acc: 0.8585 - val_loss: 2.1612 - val_acc: 0.4865
Epoch 9/15
65s - loss: 0.4177 - acc: 0.8770 - val_loss: 2.1366 - val_acc: 0.4820
Epoch 10/15
65s - loss: 0.3645 - acc: 0.8954 - val_loss: 2.2813 - val_acc: 0.4845
Epoch 11/15
65s - loss: 0.3245 - acc: 0.9081 - val_loss: 2.4166 - val_acc: 0.4920
Epoch 12/15
65s - loss: 0.2796 - acc: 0.9224 - val_loss: 2.4243 - val_acc: 0.4850
Epoch 13/15
65s - loss: 0.2786 - acc: 0.9207 - val_loss: 2.4975 - val_acc: 0.4715
Epoch 14/15
65s - loss: 0.2478 - acc: 0.9286 - val_loss: 2.4340 - val_acc: 0.4970
Epoch 15/15
65s - loss: 0.2275 - acc: 0.9353 - val_loss: 2.4622 - val_acc: 0.4890
 
Building and compiling model ...
------------- Model compiled in 2.54s ---------------
('Cell type: LSTM', 'Drop Input: 0.1', 'Cell Count: 64')
('Multi-layer: True', 'Drop Recurrent: 0.0', 'Optimizer: rmsprop')
Train on 8000 samples, validate on 2000 samples
Epoch 1/15
72s - loss: 2.6021 - acc: 0.1944 - val_loss: 2.5605 - val_acc: 0.2680
Epoch 2/15
72s - loss: 2.0585 - acc: 0.3744 - val_loss: 2.0428 - val_acc: 0.4470
Epoch 3/15
72s - loss: 1.7710 - acc: 0.4622 - val_loss: 1.9662 - val_acc: 0.4380
Epoch 4/15
73s - loss: 1.5662 - acc: 0.5238 - val_loss: 1.9259 - val_acc: 0.4690
Epoch 5/15
89s - loss: 1.4234 - acc: 0.5689 - val_loss: 1.8936 - val_acc: 0.4835
Epoch 6/15
4977s - loss: 1.3050 - acc: 0.6120 - val_loss: 1.8223 - val_acc: 0.5025
Epoch 7/15
76s - loss: 1.1953 - acc: 0.6502 - val_loss: 1.8569 - val_acc: 0.5030
Epoch 8/15
76s - loss: 1.1029 - acc: 0.6783 - val_loss: 1.7821 - val_acc: 0.5245
Epoch 9/15
74s - loss: 1.0057 - acc: 0.7051 - val_loss: 1.8419 - val_acc: 0.5205
Epoch 10/15
73s - loss: 0.9120 - acc: 0.7351 - val_loss: 1.7706 - val_acc: 0.5300
Epoch 11/15
73s - loss: 0.8376 - acc: 0.7571 - val_loss: 1.8589 - val_acc: 0.5230
Epoch 12/15
73s - loss: 0.7706 - acc: 0.7760 - val_loss: 1.8566 - val_acc: 0.5210
Epoch 13/15
73s - loss: 0.7063 - acc: 0.7914 - val_loss: 1.8762 - val_acc: 0.5220
Epoch 14/15
73s - loss: 0.6437 - acc: 0.8124 - val_loss: 1.9020 - val_acc: 0.5065
Epoch 15/15
73s - loss: 0.6095 - acc: 0.8204 - val_loss: 1.9315 - val_acc: 0.5245
 
